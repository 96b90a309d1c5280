"""One module per ``python -m gosim`` command. Each defines ``register(subparsers)``: it adds its parser and sets
``func`` to a function that takes the parsed arguments, prints, and returns the exit code. Commands parse and
print only; the work is in the models. `gosim.cli` finds the modules here, so a new command is a new file.
"""
