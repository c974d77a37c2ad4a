"""Credit service: approves orders against each customer's credit standing and exposure."""
