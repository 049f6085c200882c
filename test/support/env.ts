/**
 * Jest setupFiles: runs before each test file. Credentials for the emulator, and no shared AWS
 * config of the machine leaking into tests. (The SDK reads these from process.env itself.)
 */
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;
delete process.env.AWS_MAX_ATTEMPTS;
delete process.env.AWS_RETRY_MODE;
process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
// The SDK's Node-version notice: main() keeps warnings off the screen, but tests build clients directly too.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
