"""Infrastructure the domain calls through one small function each: worker processes, garbage-collection timing,
in-memory indexes kept per database and built in the background. No rule of the compact lives here."""
