# make demo: reset-pass and clear-pass on the unmounted root (offline ext4).
ROOTDEV=${DEMO_DISK}p3
step "Forgot the root password: set a new one, hashed the way the installed Debian 12 verifies it"
echo '$ echo "********" | rescuectl reset-pass --password-stdin '"$ROOTDEV"
echo 'S3cure-Demo-Pass' | "$RESCUECTL" reset-pass --password-stdin "$ROOTDEV"
echo "(exit $?)"
step "What the installed system now has (read back with debugfs, no mount)"
show sh -c "debugfs -R 'cat /etc/shadow' $ROOTDEV 2>/dev/null | head -1 | cut -c1-60"
step "The same for automation: a generated password, JSON out"
echo "$ rescuectl reset-pass --generate --user admin --json $ROOTDEV | jq '{user, method, file, backup, password}'"
"$RESCUECTL" reset-pass --generate --user admin --json "$ROOTDEV" | jq '{user, method, file, backup, password}'
