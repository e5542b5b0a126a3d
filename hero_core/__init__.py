"""The HERO compact: ideas from the front line, risk managed, scaled by IT, impact measured honestly."""

__version__ = "0.1.0"
