"""Arbejdsglæde: picture cards for the Danish employee development conversation."""

from pathlib import Path

__version__ = "0.1.0"

# Templates, static files, migrations and the default decks live beside the package, so the
# server and the CLI find them from any working directory.
PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
