// The HTML report test drives Debian's Chromium (/usr/bin/chromium) through
// playwright-core, which never downloads a browser of its own. On a fresh
// Debian/Ubuntu machine where we are root, install it; elsewhere say how.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (canApt) {
    console.error('abx tests: installing Debian chromium for the HTML report test (apt-get install chromium)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  } else {
    console.error(
      `abx tests: ${CHROMIUM} is missing; the HTML report test will fail until it is installed (Debian/Ubuntu: sudo apt-get install chromium)`,
    );
  }
}
