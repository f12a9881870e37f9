"""The agent: runs inside the user's process.

Standard library only (it may run in any interpreter that has TensorFlow), and it
never imports TensorFlow itself: `importhook` patches TensorFlow's modules right
after the script imports them.
"""
