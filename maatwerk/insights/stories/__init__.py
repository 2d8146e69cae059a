"""The stories: voices sampled in proportion to who was heard, the voice-balance indicator, the learning
points for professionals, and the reports built from them (see `source` for the scope)."""
