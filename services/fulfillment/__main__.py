"""Run the fulfillment service in its own process: python -m services.fulfillment"""

from shared.serve import serve_service
from services.fulfillment.service import DEFINITION

if __name__ == "__main__":
    serve_service(DEFINITION)
