"""Run the fulfillment service in its own process: python -m services.fulfillment"""

from services.fulfillment.service import DEFINITION
from shared.serve import serve_service

if __name__ == "__main__":
    serve_service(DEFINITION)
