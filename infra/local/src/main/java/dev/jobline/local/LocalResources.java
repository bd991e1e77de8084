package dev.jobline.local;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughput;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * The tables and queues of one template, created in a {@link LocalAws} under a prefix ({@code <prefix>-<LogicalId>},
 * or {@code <prefix>-<TableName/QueueName>} where the template names them), with the template's functions and their
 * environments resolved to these local names.
 *
 * <p>Provisioned resources: {@code AWS::DynamoDB::Table} (AttributeDefinitions, KeySchema, global and local secondary
 * indexes with their projections, BillingMode/ProvisionedThroughput), {@code AWS::Serverless::SimpleTable}, and
 * {@code AWS::SQS::Queue} (VisibilityTimeout, MessageRetentionPeriod, DelaySeconds, ReceiveMessageWaitTimeSeconds,
 * MaximumMessageSize, FifoQueue, ContentBasedDeduplication, RedrivePolicy). Properties the emulators do not support
 * (TimeToLiveSpecification, PointInTimeRecoverySpecification, SSE, streams, tags, ...) are skipped and listed by
 * {@link #skipped()}. Other resource types (functions, APIs, log groups, ...) are not created.
 *
 * <p>{@link #close()} deletes the tables and queues.
 */
public final class LocalResources implements AutoCloseable {

    private static final String TABLE = "AWS::DynamoDB::Table";
    private static final String SIMPLE_TABLE = "AWS::Serverless::SimpleTable";
    private static final String QUEUE = "AWS::SQS::Queue";
    private static final Set<String> EMULATED = Set.of(TABLE, SIMPLE_TABLE, QUEUE);
    private static final Set<String> FUNCTIONS = Set.of("AWS::Serverless::Function", "AWS::Lambda::Function");

    private static final Set<String> TABLE_PROPERTIES = Set.of("TableName", "AttributeDefinitions", "KeySchema",
            "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "BillingMode", "ProvisionedThroughput");
    private static final Set<String> SIMPLE_TABLE_PROPERTIES = Set.of("TableName", "PrimaryKey",
            "ProvisionedThroughput");
    private static final List<String> QUEUE_ATTRIBUTES = List.of("VisibilityTimeout", "MessageRetentionPeriod",
            "DelaySeconds", "ReceiveMessageWaitTimeSeconds", "MaximumMessageSize", "FifoQueue",
            "ContentBasedDeduplication");
    private static final Set<String> QUEUE_PROPERTIES = Set.of("QueueName", "VisibilityTimeout",
            "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds", "MaximumMessageSize",
            "FifoQueue", "ContentBasedDeduplication", "RedrivePolicy");

    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Table(String name, String arn) {
    }

    private record Queue(String name, String url, String arn) {
    }

    private final LocalAws aws;
    private final CfnTemplate template;
    private final String prefix;
    private final boolean reuseExisting;
    private final Intrinsics intrinsics;
    private final Map<String, Table> tables = new LinkedHashMap<>();
    private final Map<String, Queue> queues = new LinkedHashMap<>();
    private final List<String> skipped = new ArrayList<>();
    private Map<String, TemplateFunction> functions = Map.of();
    private boolean closed;

    private LocalResources(LocalAws aws, CfnTemplate template, ProvisionOptions options) {
        this.aws = aws;
        this.template = template;
        this.prefix = options.prefix() != null ? options.prefix() : uniquePrefix();
        this.reuseExisting = options.prefix() != null;
        this.intrinsics = new Intrinsics(template, options.parameters(),
                Intrinsics.pseudoParameters(LocalAws.REGION, LocalAws.ACCOUNT_ID, options.stackName()),
                new Values());
    }

    static LocalResources provision(LocalAws aws, Path templatePath, ProvisionOptions options) {
        LocalResources resources = new LocalResources(aws, CfnTemplate.load(templatePath), options);
        try {
            resources.createAll();
            resources.functions = resources.readFunctions();
            return resources;
        } catch (RuntimeException e) {
            try {
                resources.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static String uniquePrefix() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder random = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            random.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return "p" + SEQUENCE.incrementAndGet() + "-" + random;
    }

    /** The template file these resources were provisioned from. */
    public Path templatePath() {
        return template.path();
    }

    /** The prefix of every physical name of this provisioning. */
    public String prefix() {
        return prefix;
    }

    /** The local name of a table of the template. */
    public String tableName(String logicalId) {
        return table(logicalId).name();
    }

    /** The table's ARN, {@code arn:aws:dynamodb:us-east-1:000000000000:table/NAME}. */
    public String tableArn(String logicalId) {
        return table(logicalId).arn();
    }

    /** The local URL of a queue of the template. */
    public String queueUrl(String logicalId) {
        return queue(logicalId).url();
    }

    /** The queue's ARN as ElasticMQ reports it (GetQueueAttributes QueueArn). */
    public String queueArn(String logicalId) {
        return queue(logicalId).arn();
    }

    /** The local name of a queue of the template. */
    public String queueName(String logicalId) {
        return queue(logicalId).name();
    }

    /** Logical id to local table name, in creation order. */
    public Map<String, String> tableNames() {
        Map<String, String> names = new LinkedHashMap<>();
        tables.forEach((id, table) -> names.put(id, table.name()));
        return Collections.unmodifiableMap(names);
    }

    /** Logical id to local queue URL, in creation order (dead-letter queues before the queues that use them). */
    public Map<String, String> queueUrls() {
        Map<String, String> urls = new LinkedHashMap<>();
        queues.forEach((id, queue) -> urls.put(id, queue.url()));
        return Collections.unmodifiableMap(urls);
    }

    /** The template properties that were not applied locally, as {@code LogicalId.Property}. */
    public List<String> skipped() {
        return Collections.unmodifiableList(skipped);
    }

    /** The template's functions by logical id, in template order. */
    public Map<String, TemplateFunction> functions() {
        return functions;
    }

    public TemplateFunction function(String logicalId) {
        TemplateFunction function = functions.get(logicalId);
        if (function == null) {
            throw new IllegalArgumentException("no function " + logicalId + " in the template; functions: "
                    + functions.keySet());
        }
        return function;
    }

    /**
     * A function's environment: Globals.Function.Environment.Variables overlaid with the function's own
     * Environment.Variables, every value resolved to the local names, URLs and parameter values.
     *
     * @throws IllegalStateException if a value refers to something that cannot be resolved locally
     */
    public synchronized Map<String, String> environment(String functionLogicalId) {
        Map<String, Object> resource = template.resources().get(functionLogicalId);
        if (resource == null || !FUNCTIONS.contains(resource.get("Type"))) {
            throw new IllegalArgumentException("no function " + functionLogicalId + " in the template");
        }
        Map<String, Object> variables = new LinkedHashMap<>(variables(template.functionGlobals(), "Globals"));
        variables.putAll(variables(CfnTemplate.properties(resource), functionLogicalId));
        Map<String, String> environment = new LinkedHashMap<>();
        variables.forEach((name, value) -> {
            Object resolved = intrinsics.resolve(value);
            if (resolved != Intrinsics.NO_VALUE) {
                environment.put(name, textOf(resolved, functionLogicalId + " environment variable " + name));
            }
        });
        return Collections.unmodifiableMap(environment);
    }

    /**
     * A resource's Properties with the intrinsics resolved to the local names, URLs and ARNs, as far as they can be
     * (what names a resource that is not emulated, e.g. {@code !Ref JobsApi}, stays in its long form). The IAM checks
     * of the tests read the functions' Policies and the queues' RedrivePolicy this way.
     */
    @SuppressWarnings("unchecked")
    public synchronized Map<String, Object> properties(String logicalId) {
        Map<String, Object> resource = template.resources().get(logicalId);
        if (resource == null) {
            throw new IllegalArgumentException("no resource " + logicalId + " in the template");
        }
        return (Map<String, Object>) intrinsics.resolveLeniently(CfnTemplate.properties(resource));
    }

    private Map<String, Object> variables(Map<String, Object> properties, String where) {
        Object environment = intrinsics.resolve(properties.get("Environment"));
        Object variables = CfnTemplate.map(environment, where + ".Environment").get("Variables");
        return CfnTemplate.map(variables, where + ".Environment.Variables");
    }

    /** Empties every queue and deletes every item of every table. */
    public synchronized void purge() {
        for (Queue queue : queues.values()) {
            aws.sqsClient().purgeQueue(r -> r.queueUrl(queue.url()));
        }
        DynamoDbClient dynamo = aws.dynamoClient();
        for (Table table : tables.values()) {
            List<String> keys = dynamo.describeTable(r -> r.tableName(table.name())).table().keySchema().stream()
                    .map(KeySchemaElement::attributeName).toList();
            Map<String, AttributeValue> start = null;
            do {
                ScanRequest.Builder scan = ScanRequest.builder().tableName(table.name())
                        .projectionExpression(String.join(", ", placeholders(keys).keySet()))
                        .expressionAttributeNames(placeholders(keys));
                if (start != null) {
                    scan.exclusiveStartKey(start);
                }
                ScanResponse page = dynamo.scan(scan.build());
                List<WriteRequest> deletes = page.items().stream()
                        .map(item -> WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(item).build())
                                .build())
                        .toList();
                for (int i = 0; i < deletes.size(); i += 25) {
                    List<WriteRequest> batch = deletes.subList(i, Math.min(deletes.size(), i + 25));
                    Map<String, List<WriteRequest>> unprocessed = Map.of(table.name(), batch);
                    while (!unprocessed.isEmpty()) {
                        Map<String, List<WriteRequest>> request = unprocessed;
                        unprocessed = dynamo.batchWriteItem(r -> r.requestItems(request)).unprocessedItems();
                    }
                }
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                        ? page.lastEvaluatedKey() : null;
            } while (start != null);
        }
    }

    private static Map<String, String> placeholders(List<String> names) {
        Map<String, String> placeholders = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            placeholders.put("#k" + i, names.get(i));
        }
        return placeholders;
    }

    /** Deletes the tables and queues (once; later calls do nothing). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (aws.isClosed()) {
            return;
        }
        RuntimeException failure = null;
        for (Queue queue : queues.values()) {
            try {
                aws.sqsClient().deleteQueue(r -> r.queueUrl(queue.url()));
            } catch (QueueDoesNotExistException gone) {
                // already deleted
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        for (Table table : tables.values()) {
            try {
                aws.dynamoClient().deleteTable(r -> r.tableName(table.name()));
            } catch (ResourceNotFoundException gone) {
                // already deleted
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "LocalResources[" + prefix + ": tables " + tableNames() + ", queues " + queueUrls() + "]";
    }

    // ---- provisioning ----

    private void createAll() {
        Map<String, Map<String, Object>> resources = template.resources();
        for (String id : creationOrder(resources)) {
            Map<String, Object> resource = resources.get(id);
            String type = (String) resource.get("Type");
            Map<String, Object> properties = CfnTemplate.properties(resource);
            for (String property : properties.keySet()) {
                Set<String> supported = type.equals(TABLE) ? TABLE_PROPERTIES
                        : type.equals(SIMPLE_TABLE) ? SIMPLE_TABLE_PROPERTIES : QUEUE_PROPERTIES;
                if (!supported.contains(property)) {
                    skipped.add(id + "." + property);
                }
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> resolved = (Map<String, Object>) intrinsics.resolve(properties);
            switch (type) {
                case TABLE -> createTable(id, resolved);
                case SIMPLE_TABLE -> createSimpleTable(id, resolved);
                default -> createQueue(id, resolved);
            }
        }
    }

    /** The emulated resources, each after the emulated resources it refers to or DependsOn. */
    private List<String> creationOrder(Map<String, Map<String, Object>> resources) {
        Set<String> emulated = new LinkedHashSet<>();
        resources.forEach((id, resource) -> {
            if (EMULATED.contains(resource.get("Type"))) {
                emulated.add(id);
            }
        });
        List<String> order = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (String id : emulated) {
            visit(id, resources, emulated, done, new LinkedHashSet<>(), order);
        }
        return order;
    }

    private void visit(String id, Map<String, Map<String, Object>> resources, Set<String> emulated, Set<String> done,
            Set<String> path, List<String> order) {
        if (done.contains(id)) {
            return;
        }
        if (!path.add(id)) {
            throw new IllegalStateException("circular dependency between " + path);
        }
        Map<String, Object> resource = resources.get(id);
        Set<String> dependencies = new LinkedHashSet<>(CfnTemplate.dependsOn(resource));
        references(resource.get("Properties"), dependencies);
        for (String dependency : dependencies) {
            if (emulated.contains(dependency)) {
                visit(dependency, resources, emulated, done, path, order);
            }
        }
        path.remove(id);
        done.add(id);
        order.add(id);
    }

    /** Collects the names that Ref, Fn::GetAtt and Fn::Sub in the value refer to. */
    static void references(Object value, Set<String> names) {
        if (value instanceof Map<?, ?> map) {
            if (map.size() == 1 && Intrinsics.isIntrinsic(map)) {
                Map.Entry<?, ?> entry = map.entrySet().iterator().next();
                Object argument = entry.getValue();
                switch ((String) entry.getKey()) {
                    case "Ref" -> {
                        if (argument instanceof String name) {
                            names.add(name);
                        }
                    }
                    case "Fn::GetAtt" -> {
                        if (argument instanceof String dotted && dotted.contains(".")) {
                            names.add(dotted.substring(0, dotted.indexOf('.')));
                        } else if (argument instanceof List<?> list && !list.isEmpty()
                                && list.get(0) instanceof String name) {
                            names.add(name);
                        }
                    }
                    case "Fn::Sub" -> {
                        Object source = argument instanceof List<?> list && !list.isEmpty() ? list.get(0) : argument;
                        if (source instanceof String text) {
                            var matcher = java.util.regex.Pattern.compile("\\$\\{([^!}][^}]*)}").matcher(text);
                            while (matcher.find()) {
                                String name = matcher.group(1).trim();
                                int dot = name.indexOf('.');
                                names.add(dot > 0 && !name.startsWith("AWS::") ? name.substring(0, dot) : name);
                            }
                        }
                    }
                    default -> {
                    }
                }
            }
            map.values().forEach(v -> references(v, names));
        } else if (value instanceof List<?> list) {
            list.forEach(v -> references(v, names));
        }
    }

    private String physicalName(Map<String, Object> properties, String nameProperty, String logicalId,
            String suffix) {
        Object explicit = properties.get(nameProperty);
        String name = explicit != null ? prefix + "-" + textOf(explicit, logicalId + "." + nameProperty)
                : prefix + "-" + logicalId + suffix;
        return name;
    }

    private void createTable(String id, Map<String, Object> p) {
        String name = physicalName(p, "TableName", id, "");
        boolean onDemand = "PAY_PER_REQUEST".equals(p.get("BillingMode"));
        CreateTableRequest.Builder request = CreateTableRequest.builder()
                .tableName(name)
                .attributeDefinitions(listOfMaps(p.get("AttributeDefinitions"), id + ".AttributeDefinitions").stream()
                        .map(a -> AttributeDefinition.builder()
                                .attributeName(string(a, "AttributeName"))
                                .attributeType(string(a, "AttributeType"))
                                .build())
                        .toList())
                .keySchema(keySchema(p.get("KeySchema"), id + ".KeySchema"));
        if (onDemand) {
            request.billingMode(BillingMode.PAY_PER_REQUEST);
        } else {
            request.billingMode(BillingMode.PROVISIONED).provisionedThroughput(throughput(p.get("ProvisionedThroughput")));
        }
        List<Map<String, Object>> gsis = listOfMaps(p.get("GlobalSecondaryIndexes"), id + ".GlobalSecondaryIndexes");
        if (!gsis.isEmpty()) {
            request.globalSecondaryIndexes(gsis.stream().map(index -> {
                GlobalSecondaryIndex.Builder gsi = GlobalSecondaryIndex.builder()
                        .indexName(string(index, "IndexName"))
                        .keySchema(keySchema(index.get("KeySchema"), id + ".GlobalSecondaryIndexes.KeySchema"))
                        .projection(projection(index.get("Projection")));
                if (!onDemand) {
                    gsi.provisionedThroughput(throughput(index.get("ProvisionedThroughput")));
                }
                return gsi.build();
            }).toList());
        }
        List<Map<String, Object>> lsis = listOfMaps(p.get("LocalSecondaryIndexes"), id + ".LocalSecondaryIndexes");
        if (!lsis.isEmpty()) {
            request.localSecondaryIndexes(lsis.stream().map(index -> LocalSecondaryIndex.builder()
                    .indexName(string(index, "IndexName"))
                    .keySchema(keySchema(index.get("KeySchema"), id + ".LocalSecondaryIndexes.KeySchema"))
                    .projection(projection(index.get("Projection")))
                    .build()).toList());
        }
        createTable(id, name, request.build());
    }

    private void createSimpleTable(String id, Map<String, Object> p) {
        String name = physicalName(p, "TableName", id, "");
        Map<String, Object> key = CfnTemplate.map(p.get("PrimaryKey"), id + ".PrimaryKey");
        String keyName = key.isEmpty() ? "id" : string(key, "Name");
        String keyType = switch (key.isEmpty() ? "String" : string(key, "Type")) {
            case "Number" -> "N";
            case "Binary" -> "B";
            default -> "S";
        };
        CreateTableRequest.Builder request = CreateTableRequest.builder()
                .tableName(name)
                .attributeDefinitions(AttributeDefinition.builder().attributeName(keyName).attributeType(keyType)
                        .build())
                .keySchema(KeySchemaElement.builder().attributeName(keyName).keyType("HASH").build());
        if (p.get("ProvisionedThroughput") != null) {
            request.billingMode(BillingMode.PROVISIONED).provisionedThroughput(throughput(p.get("ProvisionedThroughput")));
        } else {
            request.billingMode(BillingMode.PAY_PER_REQUEST);
        }
        createTable(id, name, request.build());
    }

    private void createTable(String id, String name, CreateTableRequest request) {
        DynamoDbClient dynamo = aws.dynamoClient();
        try {
            dynamo.createTable(request);
        } catch (ResourceInUseException exists) {
            if (!reuseExisting) {
                throw new IllegalStateException("table " + name + " already exists", exists);
            }
        }
        awaitActive(dynamo, name);
        tables.put(id, new Table(name,
                "arn:aws:dynamodb:" + LocalAws.REGION + ":" + LocalAws.ACCOUNT_ID + ":table/" + name));
    }

    private static void awaitActive(DynamoDbClient dynamo, String name) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            TableDescription table = dynamo.describeTable(r -> r.tableName(name)).table();
            boolean indexesActive = table.globalSecondaryIndexes().stream()
                    .allMatch(index -> index.indexStatus() == IndexStatus.ACTIVE);
            if (table.tableStatus() == TableStatus.ACTIVE && indexesActive) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("table " + name + " is still " + table.tableStatus());
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for table " + name, e);
            }
        }
    }

    private void createQueue(String id, Map<String, Object> p) {
        boolean fifo = Boolean.parseBoolean(String.valueOf(p.get("FifoQueue")));
        String name = physicalName(p, "QueueName", id, fifo ? ".fifo" : "");
        Map<QueueAttributeName, String> attributes = new LinkedHashMap<>();
        for (String attribute : QUEUE_ATTRIBUTES) {
            if (p.get(attribute) != null) {
                attributes.put(QueueAttributeName.fromValue(attribute), textOf(p.get(attribute), id + "." + attribute));
            }
        }
        Object redrive = p.get("RedrivePolicy");
        if (redrive != null) {
            attributes.put(QueueAttributeName.REDRIVE_POLICY,
                    redrive instanceof String json ? json : Json.write(CfnTemplate.map(redrive, id + ".RedrivePolicy")));
        }
        SqsClient sqs = aws.sqsClient();
        String url = sqs.createQueue(r -> r.queueName(name).attributes(attributes)).queueUrl();
        String arn = sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        queues.put(id, new Queue(name, url, arn));
    }

    private static List<KeySchemaElement> keySchema(Object value, String what) {
        return listOfMaps(value, what).stream()
                .map(k -> KeySchemaElement.builder()
                        .attributeName(string(k, "AttributeName"))
                        .keyType(string(k, "KeyType"))
                        .build())
                .toList();
    }

    private static Projection projection(Object value) {
        Map<String, Object> projection = CfnTemplate.map(value, "Projection");
        Projection.Builder builder = Projection.builder()
                .projectionType(projection.get("ProjectionType") == null ? "ALL"
                        : String.valueOf(projection.get("ProjectionType")));
        List<Object> nonKey = CfnTemplate.list(projection.get("NonKeyAttributes"), "NonKeyAttributes");
        if (!nonKey.isEmpty()) {
            builder.nonKeyAttributes(nonKey.stream().map(String::valueOf).toList());
        }
        return builder.build();
    }

    private static ProvisionedThroughput throughput(Object value) {
        Map<String, Object> throughput = CfnTemplate.map(value, "ProvisionedThroughput");
        return ProvisionedThroughput.builder()
                .readCapacityUnits(Long.parseLong(String.valueOf(throughput.getOrDefault("ReadCapacityUnits", 5))))
                .writeCapacityUnits(Long.parseLong(String.valueOf(throughput.getOrDefault("WriteCapacityUnits", 5))))
                .build();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> listOfMaps(Object value, String what) {
        List<Map<String, Object>> maps = new ArrayList<>();
        for (Object item : CfnTemplate.list(value, what)) {
            maps.add((Map<String, Object>) CfnTemplate.map(item, what));
        }
        return maps;
    }

    private static String string(Map<String, Object> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            throw new IllegalArgumentException("missing " + key + " in " + map);
        }
        return String.valueOf(value);
    }

    private static String textOf(Object resolved, String what) {
        try {
            return Intrinsics.text(resolved);
        } catch (Intrinsics.UnresolvableException e) {
            throw new Intrinsics.UnresolvableException(what + ": " + e.getMessage());
        }
    }

    // ---- functions ----

    private Map<String, TemplateFunction> readFunctions() {
        Map<String, Object> globals = template.functionGlobals();
        Map<String, TemplateFunction> result = new LinkedHashMap<>();
        template.resources().forEach((id, resource) -> {
            if (!FUNCTIONS.contains(resource.get("Type"))) {
                return;
            }
            Map<String, Object> properties = CfnTemplate.properties(resource);
            String handler = setting(properties, globals, "Handler", id, null);
            int timeout = Integer.parseInt(setting(properties, globals, "Timeout", id, "3"));
            int memory = Integer.parseInt(setting(properties, globals, "MemorySize", id, "128"));
            Map<String, EventSource> events = new LinkedHashMap<>();
            CfnTemplate.map(properties.get("Events"), id + ".Events").forEach((name, event) -> {
                Map<String, Object> definition = CfnTemplate.map(event, id + ".Events." + name);
                @SuppressWarnings("unchecked")
                Map<String, Object> eventProperties = new LinkedHashMap<>((Map<String, Object>) intrinsics
                        .resolveLeniently(CfnTemplate.map(definition.get("Properties"), name + ".Properties")));
                String type = String.valueOf(definition.get("Type"));
                if (type.equals("SQS") && eventProperties.get("Queue") instanceof String queue) {
                    // the template names the queue's ARN; a runner needs its URL
                    queues.values().stream().filter(q -> q.arn().equals(queue)).findFirst()
                            .ifPresent(q -> eventProperties.put("Queue", q.url()));
                }
                events.put(name, new EventSource(name, type, eventProperties));
            });
            result.put(id, new TemplateFunction(id, handler, timeout, memory, events));
        });
        return Collections.unmodifiableMap(result);
    }

    private String setting(Map<String, Object> properties, Map<String, Object> globals, String key, String id,
            String fallback) {
        Object value = properties.containsKey(key) ? properties.get(key) : globals.get(key);
        if (value == null) {
            return fallback;
        }
        return intrinsics.resolveText(value, id + "." + key);
    }

    // ---- lookups ----

    private Table table(String logicalId) {
        Table table = tables.get(logicalId);
        if (table == null) {
            throw new IllegalArgumentException("no table " + logicalId + " in the template; tables: "
                    + tables.keySet());
        }
        return table;
    }

    private Queue queue(String logicalId) {
        Queue queue = queues.get(logicalId);
        if (queue == null) {
            throw new IllegalArgumentException("no queue " + logicalId + " in the template; queues: "
                    + queues.keySet());
        }
        return queue;
    }

    /** Ref and GetAtt values of the created resources, for {@link Intrinsics}. */
    private final class Values implements Intrinsics.ResourceValues {
        @Override
        public Object ref(String logicalId) {
            if (tables.containsKey(logicalId)) {
                return tables.get(logicalId).name();
            }
            if (queues.containsKey(logicalId)) {
                return queues.get(logicalId).url();
            }
            throw notAvailable(logicalId);
        }

        @Override
        public Object getAtt(String logicalId, String attribute) {
            Table table = tables.get(logicalId);
            if (table != null) {
                if (attribute.equals("Arn")) {
                    return table.arn();
                }
                throw new Intrinsics.UnresolvableException("Fn::GetAtt " + logicalId + "." + attribute
                        + ": only Arn is available for a local table");
            }
            Queue queue = queues.get(logicalId);
            if (queue != null) {
                switch (attribute) {
                    case "Arn":
                        return queue.arn();
                    case "QueueName":
                        return queue.name();
                    case "QueueUrl":
                        return queue.url();
                    default:
                        throw new Intrinsics.UnresolvableException("Fn::GetAtt " + logicalId + "." + attribute
                                + ": a local queue has Arn, QueueName and QueueUrl");
                }
            }
            throw notAvailable(logicalId);
        }

        private Intrinsics.UnresolvableException notAvailable(String logicalId) {
            String type = template.type(logicalId);
            if (EMULATED.contains(type)) {
                return new Intrinsics.UnresolvableException(logicalId + " is not created yet");
            }
            return new Intrinsics.UnresolvableException(logicalId + " (" + type + ") is not emulated locally");
        }
    }
}
