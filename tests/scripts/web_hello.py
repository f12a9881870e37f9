"""For the --web tests: a script without TensorFlow whose output the live view shows."""
print("hello from the browser view")
