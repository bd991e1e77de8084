package dev.jobline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.jobs.JobCatalog;
import dev.jobline.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The SnapStart hooks without a stack: what a restore changes, and what priming never does. */
class SnapshotHooksTest {
    private static final Map<String, String> ENV = Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "a",
            "AWS_SECRET_ACCESS_KEY", "s", "AWS_ENDPOINT_URL", "http://127.0.0.1:1", "TABLE_NAME", "jobs",
            "QUEUE_URL", "http://127.0.0.1:1/000000000000/jobs");

    private static Wiring wiring(Clients clients) {
        return new Wiring(Config.from(ENV), clients, JobCatalog.registry(), Clock.systemUTC());
    }

    private static List<Integer> draws(Wiring wiring) {
        return IntStream.range(0, 8).mapToObj(i -> wiring.jitter().nextInt(1_000_000)).toList();
    }

    @Test
    void afterARestoreEachCopyOfOneSnapshotDrawsItsOwnJitter() {
        // given two functions restored from one snapshot: the same jitter state in both
        Wiring first = wiring(Clients.from(ENV));
        Wiring second = wiring(Clients.from(ENV));
        first.jitter().setSeed(42);
        second.jitter().setSeed(42);
        assertEquals(draws(first), draws(second), "the same state draws the same backoffs");
        first.jitter().setSeed(42);
        second.jitter().setSeed(42);

        // when each runs its restore hook
        new SnapshotHooks(first, Priming::claim).afterRestore(null);
        new SnapshotHooks(second, Priming::claim).afterRestore(null);

        // then their backoffs no longer move in step
        assertNotEquals(draws(first), draws(second));
    }

    @Test
    void clientsThatCannotRehearseAreNotPrimedAtAll() {
        // given clients made elsewhere (no rehearsal), aimed at a closed port, counting every call they start
        AtomicInteger calls = new AtomicInteger();
        ExecutionInterceptor counting = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                calls.incrementAndGet();
            }
        };
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "s"));
        URI nowhere = URI.create("http://127.0.0.1:1");
        Clients plain = new Clients(
                DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials).endpointOverride(nowhere)
                        .httpClient(UrlConnectionHttpClient.create()).overrideConfiguration(o -> o.addExecutionInterceptor(counting)).build(),
                SqsClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials).endpointOverride(nowhere)
                        .httpClient(UrlConnectionHttpClient.create()).overrideConfiguration(o -> o.addExecutionInterceptor(counting)).build());

        // when both primings run
        List<RequestRehearsal.Rehearsed> submit = Priming.submit(wiring(plain));
        List<RequestRehearsal.Rehearsed> claim = Priming.claim(wiring(plain));

        // then no call was even started
        assertEquals(List.of(), submit);
        assertEquals(List.of(), claim);
        assertEquals(0, calls.get());
    }

    @Test
    void aPrimingThatFailsIsLoggedAndTheSnapshotGoesAhead() {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        Log.redirect(new PrintStream(lines, true, StandardCharsets.UTF_8));
        try {
            SnapshotHooks hooks = new SnapshotHooks(wiring(Clients.from(ENV)), w -> {
                throw new IllegalStateException("no echo type");
            });

            hooks.beforeCheckpoint(null);

            String log = lines.toString(StandardCharsets.UTF_8);
            assertTrue(log.contains("\"event\":\"snapstart.priming_failed\"") && log.contains("no echo type"), log);
        } finally {
            Log.redirect(System.out);
        }
    }
}
