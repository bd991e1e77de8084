package dev.jobline.config;

import dev.jobline.jobs.JobCatalog;
import java.time.Clock;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Run by tests in a JVM of its own, whose environment is the one under test (the SDK reads the real environment, which
 * a test cannot change in its own JVM). Prints one line per request a rehearsal stopped, {@code operation uri signedBy},
 * and {@code error <class> <message>} when building or calling fails.
 *
 * <p>Arguments: {@code clients} (Clients.fromEnvironment, rehearsed: a GetItem and a SendMessage; with {@code restore},
 * the SnapStart restore hook runs and the two are rehearsed again), or {@code sdk-alone} (a plain SqsClient with the
 * SDK's own reading of the environment).
 */
public final class ClientsProbe {
    private ClientsProbe() {
    }

    public static void main(String[] args) {
        try {
            if (args[0].equals("sdk-alone")) {
                SqsClient.builder().build().close();
                System.out.println("built");
                return;
            }
            Clients clients = Clients.fromEnvironment();
            Wiring wiring = new Wiring(Config.from(System.getenv()), clients, JobCatalog.registry(), Clock.systemUTC());
            print(rehearse(clients));
            if (args.length > 1 && args[1].equals("restore")) {
                new SnapshotHooks(wiring, Priming::submit).afterRestore(null);
                print(rehearse(clients));
            }
        } catch (RuntimeException e) {
            System.out.println("error " + e.getClass().getName() + " " + e.getMessage());
        }
    }

    private static List<RequestRehearsal.Rehearsed> rehearse(Clients clients) {
        DynamoDbClient dynamo = clients.dynamo();
        SqsClient sqs = clients.sqs();
        return clients.rehearsal().rehearse(() -> {
            try {
                dynamo.getItem(b -> b.tableName("jobs").key(java.util.Map.of("jobId",
                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("probe"))));
            } catch (RuntimeException e) {
                if (!RequestRehearsal.wasStopped(e)) {
                    throw e;
                }
            }
            try {
                sqs.sendMessage(b -> b.queueUrl("https://sqs.us-east-1.amazonaws.com/000000000000/jobs").messageBody("probe"));
            } catch (RuntimeException e) {
                if (!RequestRehearsal.wasStopped(e)) {
                    throw e;
                }
            }
        });
    }

    private static void print(List<RequestRehearsal.Rehearsed> requests) {
        for (RequestRehearsal.Rehearsed request : requests) {
            System.out.println(request.operation() + " " + request.uri() + " " + request.signedBy());
        }
    }
}
