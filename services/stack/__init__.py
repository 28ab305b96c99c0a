"""The local stack: ``ecominsight up`` runs every service as a child process; ``demo`` drives it."""
