export interface ButtonProps {
  href: string;
  /** Service id or generic icon id; the icon is a cached file, which keeps the page small. */
  icon: string;
  name: string;
  action: string;
  destKey: string;
  service: string | null;
}

export const DestinationButton = ({ href, icon, name, action, destKey, service }: ButtonProps) => (
  <li>
    <a class="dest" href={href} data-key={destKey} data-service={service ?? ""}>
      <img class="icon" src={`/assets/icons/${icon}.svg`} alt="" width="28" height="28" />
      <span class="name" safe>{name}</span>
      <span class="act" aria-hidden="true" safe>{action}</span>
    </a>
  </li>
);
