"""The interfaces the use cases need, one module per part of the business. Adapters
implement them; tests may fake them."""
