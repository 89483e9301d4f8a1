//! Write a starting publiccode.yml for a repository (filled in below).
