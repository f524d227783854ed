"""The plans app's pages, one module per part of the domain; ``plans/urls.py`` wires them."""
