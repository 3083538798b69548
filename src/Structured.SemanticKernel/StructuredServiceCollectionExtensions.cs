using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.TextGeneration;
using Structured.Chat;
using Structured.Models;
using Structured.SemanticKernel;

#pragma warning disable IDE0130 // Semantic Kernel's connectors put their builder extensions in its namespace.
namespace Microsoft.SemanticKernel;
#pragma warning restore IDE0130

/// <summary>Registers Structured's services with Semantic Kernel, following its <c>Add…ChatCompletion</c> conventions.</summary>
public static class StructuredServiceCollectionExtensions
{
    /// <summary>
    /// Adds an <see cref="IChatCompletionService"/> over <paramref name="model"/> (a bridge over <see cref="StructuredChatClient"/>).
    /// Pass <see cref="StructuredPromptExecutionSettings"/> with a <c>ResponseFormat</c> to constrain the reply.
    /// </summary>
    public static IServiceCollection AddStructuredChatCompletion(this IServiceCollection services, ILanguageModel model,
        StructuredChatClientOptions? options = null, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return services.AddStructuredChatCompletion(_ => model, options, serviceId);
    }

    /// <summary>Adds an <see cref="IChatCompletionService"/> over the model the factory makes (once, on first use).</summary>
    public static IServiceCollection AddStructuredChatCompletion(this IServiceCollection services, Func<IServiceProvider, ILanguageModel> modelFactory,
        StructuredChatClientOptions? options = null, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(modelFactory);
        services.AddKeyedSingleton(serviceId, (sp, _) => new StructuredChatClient(modelFactory(sp), options));
        services.AddKeyedSingleton<IChatCompletionService>(serviceId, (sp, key) => sp.GetRequiredKeyedService<StructuredChatClient>(key).AsChatCompletionService(sp));
        return services;
    }

    /// <summary>Adds an <see cref="ITextGenerationService"/> over <paramref name="model"/>: prompts are continued without a chat template.</summary>
    public static IServiceCollection AddStructuredTextGeneration(this IServiceCollection services, ILanguageModel model,
        StructuredChatClientOptions? options = null, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return services.AddStructuredTextGeneration(_ => model, options, serviceId);
    }

    /// <summary>Adds an <see cref="ITextGenerationService"/> over the model the factory makes (once, on first use).</summary>
    public static IServiceCollection AddStructuredTextGeneration(this IServiceCollection services, Func<IServiceProvider, ILanguageModel> modelFactory,
        StructuredChatClientOptions? options = null, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(modelFactory);
        services.AddKeyedSingleton<ITextGenerationService>(serviceId, (sp, _) => new StructuredTextGenerationService(new StructuredChatClient(modelFactory(sp), options)));
        return services;
    }

    /// <summary>Adds an <see cref="IChatCompletionService"/> over <paramref name="model"/> to the kernel.</summary>
    public static IKernelBuilder AddStructuredChatCompletion(this IKernelBuilder builder, ILanguageModel model, StructuredChatClientOptions? options = null, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddStructuredChatCompletion(model, options, serviceId);
        return builder;
    }

    /// <summary>Adds an <see cref="IChatCompletionService"/> over the model the factory makes.</summary>
    public static IKernelBuilder AddStructuredChatCompletion(this IKernelBuilder builder, Func<IServiceProvider, ILanguageModel> modelFactory,
        StructuredChatClientOptions? options = null, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddStructuredChatCompletion(modelFactory, options, serviceId);
        return builder;
    }

    /// <summary>Adds an <see cref="ITextGenerationService"/> over <paramref name="model"/> to the kernel.</summary>
    public static IKernelBuilder AddStructuredTextGeneration(this IKernelBuilder builder, ILanguageModel model, StructuredChatClientOptions? options = null, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddStructuredTextGeneration(model, options, serviceId);
        return builder;
    }

    /// <summary>Adds an <see cref="ITextGenerationService"/> over the model the factory makes.</summary>
    public static IKernelBuilder AddStructuredTextGeneration(this IKernelBuilder builder, Func<IServiceProvider, ILanguageModel> modelFactory,
        StructuredChatClientOptions? options = null, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddStructuredTextGeneration(modelFactory, options, serviceId);
        return builder;
    }
}
