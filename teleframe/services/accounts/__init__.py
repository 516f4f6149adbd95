"""Pure rules for people who sign in: passwords, one-time codes, timeouts, signature wording."""
