"""Run the generator service: python -m services.generator"""

if __name__ == "__main__":
    raise SystemExit("the generator service is not built yet")
