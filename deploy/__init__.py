"""Several app servers behind nginx: configuration (``config``) and the command line (``ctl``).

See ``deploy/README.md``. Nothing here is imported by the app.
"""
