def run_once(sess, t):
    return sess.run(t)
