# Every python on PATH, which one python3 is, and what the default one has installed.
rc_seen=""
rc_old_ifs=$IFS; IFS=:
for rc_dir in $PATH; do
  IFS=$rc_old_ifs
  # /bin and /usr/bin are often one directory (usrmerge): list each directory once.
  [ -d "$rc_dir" ] && rc_new_file "$rc_dir" || { IFS=:; continue; }
  for rc_file in "$rc_dir"/python "$rc_dir"/python3 "$rc_dir"/python3.[0-9] "$rc_dir"/python3.[0-9][0-9]; do
    [ -x "$rc_file" ] && [ ! -d "$rc_file" ] || continue
    case " $rc_seen " in *" $rc_file "*) continue ;; esac
    rc_seen="$rc_seen $rc_file"
    emit python.candidate "$rc_file"
  done
  IFS=:
done
IFS=$rc_old_ifs
if [ -n "$RC_PYTHON" ]; then
  emit python.default "$RC_PYTHON"
  "$RC_PYTHON" -c "$RC_PYTHON_INVENTORY" 2>&1 || emit python.error "python3 exited with status $?"
fi
