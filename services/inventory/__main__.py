"""Run the inventory service in its own process: python -m services.inventory"""

from services.inventory.service import DEFINITION
from shared.serve import serve_service

if __name__ == "__main__":
    serve_service(DEFINITION)
