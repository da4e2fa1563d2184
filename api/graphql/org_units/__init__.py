"""The org tree and the cadres: units, their parents and children on a day, populations, cadre definitions."""
