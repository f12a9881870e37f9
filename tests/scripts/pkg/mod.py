import sys

print("pkg.mod", __name__, __package__, sys.argv[1:])
