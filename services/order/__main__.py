"""Run the order service in its own process: python -m services.order"""

from services.order.service import DEFINITION
from shared.serve import serve_service

if __name__ == "__main__":
    serve_service(DEFINITION)
