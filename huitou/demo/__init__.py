"""Demo data: the real CDNOW purchases, dressed as the customers of a Chinese music shop.

Everything invented (names, mobiles, birthdays, tags, ...) comes from seeded generators, so
every load produces the same organisation; natural keys make a second load a no-op.
"""

SEED = 2026
