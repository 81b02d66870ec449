"""`make bench`: measured figures for the README and the issues; never part of `make test`."""
