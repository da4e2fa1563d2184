"""The web pages at ``/``, their static files, and GraphiQL's page."""
