"""Run the andon service in its own process: python -m services.andon"""

from shared.serve import serve_service
from services.andon.service import DEFINITION

if __name__ == "__main__":
    serve_service(DEFINITION)
