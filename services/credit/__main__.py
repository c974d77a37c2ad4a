"""Run the credit service in its own process: python -m services.credit"""

from shared.serve import serve_service
from services.credit.service import DEFINITION

if __name__ == "__main__":
    serve_service(DEFINITION)
