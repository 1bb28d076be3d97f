// The settings pages' own navigation.
import { Link } from '../../components/link.tsx';

const TABS = [
  { href: '/settings/api-keys', label: 'API keys' },
  { href: '/settings/members', label: 'Members' },
  { href: '/settings/audit', label: 'Audit log' },
];

export function SettingsTabs(props: { current: string }) {
  return (
    <nav class="tabs" aria-label="Settings">
      {TABS.map((tab) => (
        <Link key={tab.href} href={tab.href} current={tab.href === props.current}>
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
