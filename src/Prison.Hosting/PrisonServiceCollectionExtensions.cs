using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prison.Core;

namespace Prison.Hosting;

/// <summary><c>services.AddPrisonKernel(...)</c>: a Prison kernel as a service of a generic host.</summary>
public static class PrisonServiceCollectionExtensions
{
    /// <summary>The configuration section <see cref="PrisonKernelOptions"/> is bound from.</summary>
    public const string ConfigurationSection = "Prison";

    /// <summary>
    /// Adds a singleton <see cref="Kernel"/> and a hosted service that kldloads
    /// <see cref="PrisonKernelOptions.Modules"/> at start and kldunloads them, in reverse, at stop.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Runs after the options are bound from the <c>Prison</c> configuration section.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <remarks>The kernel logs through the host's <see cref="ILoggerFactory"/>: categories <c>Prison.Kpi</c>,
    /// <c>Prison.Modules</c>, and one <c>Prison.Module.NAME</c> per module.</remarks>
    public static IServiceCollection AddPrisonKernel(this IServiceCollection services, Action<PrisonKernelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<PrisonKernelOptions>().BindConfiguration(ConfigurationSection);
        if (configure is not null)
            options.Configure(configure);
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<PrisonKernelOptions>>().Value;
            var kernel = new Kernel(new KernelOptions
            {
                LoggerFactory = sp.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
                ModulePath = o.ModulePath,
                Time = sp.GetService<TimeProvider>() ?? TimeProvider.System,
                Tunables = o.Tunables,
            });
            return kernel;
        });
        services.AddHostedService<PrisonKernelService>();
        return services;
    }
}
