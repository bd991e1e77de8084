package dev.jobline.local.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalCliTest {

    @Test
    void theScheduleRateTakesShortDurations() {
        assertEquals(Duration.ofSeconds(10), LocalCli.duration("10s"));
        assertEquals(Duration.ofMillis(500), LocalCli.duration("500ms"));
        assertEquals(Duration.ofMinutes(2), LocalCli.duration("2m"));
        assertThrows(IllegalArgumentException.class, () -> LocalCli.duration("soon"));
        assertThrows(IllegalArgumentException.class, () -> LocalCli.duration("0s"));
    }

    @Test
    void parameterOverridesTakeBothOfSamsForms() {
        assertEquals(Map.of("RetentionDays", "1", "WebhookSigningKey", "k=with=equals"),
                LocalCli.parameterOverrides("RetentionDays=1  WebhookSigningKey=k=with=equals"));
        assertEquals(Map.of("JwtIssuer", "https://issuer.example"),
                LocalCli.parameterOverrides("ParameterKey=JwtIssuer,ParameterValue=https://issuer.example"));
        assertThrows(IllegalArgumentException.class, () -> LocalCli.parameterOverrides("JustAName"));
    }
}
