"""Run the credit service in its own process: python -m services.credit"""

from services.credit.service import DEFINITION
from shared.serve import serve_service

if __name__ == "__main__":
    serve_service(DEFINITION)
