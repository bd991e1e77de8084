package dev.jobline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookConfigTest {
    private static final String KEY = "a-signing-key-of-at-least-32-characters";

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(Map.of("TABLE_NAME", "jobs", "QUEUE_URL", "http://queue"));
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void withoutWebhookVariablesNothingIsSignedOrQueuedAndPrivateHostsAreRefused() {
        Config config = Config.from(env());

        assertNull(config.webhooksQueueUrl());
        assertNull(config.webhookSigningKey());
        assertFalse(config.webhookAllowPrivateHosts());
        assertEquals(8, config.webhookMaxAttempts());
    }

    @Test
    void theWebhookVariablesAreRead() {
        Config config = Config.from(env("WEBHOOKS_QUEUE_URL", "http://webhooks", "WEBHOOK_SIGNING_KEY", KEY,
                "WEBHOOK_ALLOW_PRIVATE_HOSTS", "TRUE", "WEBHOOK_MAX_ATTEMPTS", "3"));

        assertEquals("http://webhooks", config.webhooksQueueUrl());
        assertEquals(KEY, config.webhookSigningKey().value());
        assertTrue(config.webhookAllowPrivateHosts());
        assertEquals(3, config.webhookMaxAttempts());
    }

    @Test
    void aShortSigningKeyOrAnUnclearSwitchIsRefused() {
        assertThrows(IllegalStateException.class, () -> Config.from(env("WEBHOOK_SIGNING_KEY", "short")));
        assertThrows(IllegalStateException.class, () -> Config.from(env("WEBHOOK_ALLOW_PRIVATE_HOSTS", "yes")));
        assertThrows(IllegalStateException.class, () -> Config.from(env("WEBHOOK_MAX_ATTEMPTS", "0")));
    }

    @Test
    void theSigningKeyNeverShowsWhenTheConfigIsPrinted() {
        Config config = Config.from(env("WEBHOOK_SIGNING_KEY", KEY));

        assertFalse(config.toString().contains(KEY), config.toString());
    }
}
