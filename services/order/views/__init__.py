"""Order read models: tables, the projection that keeps them current, and queries over them."""
