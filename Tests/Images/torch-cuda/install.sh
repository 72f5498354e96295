# Runs inside the build container (see build.sh): /wheels holds the downloaded wheels, /recipe
# this folder. Debian's python3 here has no ensurepip, so the venv is made without pip and pip
# runs from its own wheel, installing itself into the venv along with torch.
set -eu
python3 -m venv --without-pip /opt/venv
/opt/venv/bin/python3 /wheels/pip-24.3.1-py3-none-any.whl/pip install --no-index --find-links /wheels \
  --require-hashes --no-cache-dir --root-user-action=ignore --disable-pip-version-check -r /recipe/requirements.txt
