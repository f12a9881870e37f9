import sys

from inspector.agent.bootstrap import main

main(sys.argv[1:])
