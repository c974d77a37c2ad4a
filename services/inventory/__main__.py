"""Run the inventory service in its own process: python -m services.inventory"""

from shared.serve import serve_service
from services.inventory.service import DEFINITION

if __name__ == "__main__":
    serve_service(DEFINITION)
