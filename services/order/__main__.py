"""Run the order service in its own process: python -m services.order"""

from shared.serve import serve_service
from services.order.service import DEFINITION

if __name__ == "__main__":
    serve_service(DEFINITION)
