# PyTorch, TensorFlow and JAX, each imported in its own python3 process so that a broken
# install (or a crash) is reported for that framework and the rest survives.
if [ -n "$RC_PYTHON" ]; then
  for rc_framework in torch tensorflow jax; do
    "$RC_PYTHON" -c "$RC_FRAMEWORK_PROBE" "$rc_framework" 2>/dev/null
    rc_status=$?
    [ "$rc_status" -gt 1 ] && emit "framework.$rc_framework.error" "python3 exited with status $rc_status while importing $rc_framework"
  done
fi
