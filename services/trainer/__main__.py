"""Run the trainer service: python -m services.trainer"""

if __name__ == "__main__":
    raise SystemExit("the trainer service is not built yet")
