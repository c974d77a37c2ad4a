"""Run the simulated WMS/TMS in its own process: python -m services.simulator"""

from services.simulator.service import DEFINITION
from shared.serve import serve_service

if __name__ == "__main__":
    serve_service(DEFINITION)
