"""gosim: an executable textbook of the Go runtime.

Models (`gosim.boot`, ...) are pure Python and run anywhere; `gosim.toolchain` is the bridge to the real Go
toolchain that the models are checked against. See DESIGN in the repository for the layers.
"""

__version__ = "0.1.0"
