def run_twice(sess, t):
    sess.run(t)
    return sess.run(t)
