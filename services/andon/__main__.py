"""Run the andon service in its own process: python -m services.andon"""

from services.andon.service import DEFINITION
from shared.serve import serve_service

if __name__ == "__main__":
    serve_service(DEFINITION)
