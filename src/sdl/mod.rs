//! SDL
