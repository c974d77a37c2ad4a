"""Order service: order intake, its checks' outcomes and release to fulfillment."""
